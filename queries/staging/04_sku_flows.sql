-- sku_flows_at(months, locations, categories, suppliers): shipment units known at each month M
-- of `months` (versions <= M, all lines, returns included: a negative event puts units back)
-- per SKU, from the sku_flows materialised at load time: units dated in M, in the 90 days up to
-- t, in the 6 calendar months ending at M, and whether a positive event falls in the 180 days
-- up to t. These feed COGS, days of supply, dead and excess stock.
-- grain: report_month x sku. inputs: sku_flows, products.
create or replace macro sku_flows_at(months, locations, categories, suppliers) as table
select
    f.report_month,
    f.sku,
    any_value(p.category) as category,
    sum(f.shipped_units_month) as shipped_units_month,
    sum(f.shipped_units_90d) as shipped_units_90d,
    bool_or(f.has_shipment_180d) as has_shipment_180d,
    sum(f.shipped_units_6m) as shipped_units_6m,
from sku_flows as f
left join products as p on p.sku = f.sku
where list_contains(months, f.report_month)
  and (locations is null or list_contains(locations, f.location))
  and (categories is null or list_contains(categories, p.category))
  and (suppliers is null or list_contains(suppliers, p.supplier))
group by f.report_month, f.sku;
