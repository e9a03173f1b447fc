-- inventory_cogs_facts: $month's COGS per product category over all locations: shipment units
-- dated in the month times unit_cost(s, M) (the stock cost as of M, else the product master's,
-- kpi-book 1); SKUs shipped without a known cost are counted. shipped_units: the shipment
-- units of the month whatever their cost (cogs_units, returns netted).
-- grain: one row per category with shipments in $month. parameters: $month.
-- inputs: sku_flows_at (sku_flows, product_facts), stock_costs, product_facts.
insert into inventory_cogs_facts
select
    $month as report_month,
    s.category,
    sum(s.shipped_units_month * sku_unit_cost(c.unit_cost, p.unit_cost)) as known_cogs,
    sum(s.shipped_units_month) as shipped_units,
    count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is not null) as count_skus_known_cost,
    count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is null) as count_skus_cogs_unknown_cost,
from sku_flows_at([$month], null::varchar[], null::varchar[], null::varchar[]) as s
left join stock_costs as c on c.report_month = $month and c.sku = s.sku
left join product_facts as p on p.sku = s.sku
where s.shipped_units_month <> 0
group by s.category
