-- category_stock(months, locations, categories, suppliers) and category_cogs(same): each month's
-- stock and COGS per product category (null: none), the formulas written once: the facts built at
-- load time (inventory_stock_facts, inventory_cogs_facts: all locations, no filter) are these for
-- their month, and inventory_month_rows computes them with a location or supplier filter.
-- Counts are of SKUs; every SKU is in one category, so the rows add up to the all-SKU figures.
-- category_stock: on hand at least 0 per SKU, valued at unit_cost(s, M) (stock_states); SKUs on
-- hand without a known cost are left out of the value and counted.
-- grain: report_month x category. inputs: stock_states.
create or replace macro category_stock(months, locations, categories, suppliers) as table
select
    report_month,
    category,
    sum(on_hand) as inventory_units,
    sum(stock_value) as known_value,
    count(*) filter (where on_hand > 0) as count_skus_on_hand,
    count(*) filter (where on_hand > 0 and unit_cost is null) as count_skus_unknown_cost
from stock_states(months, locations, categories, suppliers)
group by report_month, category;

-- category_cogs: shipment units dated in the month times unit_cost(s, M) (the stock cost as of
-- M, else the product master's, kpi-book 1); SKUs shipped without a known cost are counted.
-- shipped_units: the month's shipment units whatever their cost (cogs_units, returns netted).
-- grain: report_month x category with shipments. inputs: sku_flows_at, stock_costs, product_facts.
create or replace macro category_cogs(months, locations, categories, suppliers) as table
select
    s.report_month,
    s.category,
    sum(s.shipped_units_month * sku_unit_cost(c.unit_cost, p.unit_cost)) as known_cogs,
    sum(s.shipped_units_month) as shipped_units,
    count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is not null) as count_skus_known_cost,
    count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is null) as count_skus_cogs_unknown_cost
from sku_flows_at(months, locations, categories, suppliers) as s
left join stock_costs as c using (report_month, sku)
left join product_facts as p using (sku)
where s.shipped_units_month <> 0
group by s.report_month, s.category;
