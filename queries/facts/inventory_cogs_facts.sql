-- inventory_cogs_facts: $month's COGS per product category over all locations (category_cogs:
-- shipment units dated in the month times unit_cost(s, M); SKUs without a known cost counted).
-- grain: one row per category with shipments in $month. parameters: $month.
-- inputs: category_cogs (sku_flows_at, stock_costs, product_facts).
insert into inventory_cogs_facts by name
select * from category_cogs([$month], null::varchar[], null::varchar[], null::varchar[])
