-- sku_location_sums(months, locations): the shipment flows per SKU summed over the chosen locations
-- (null: all) of sku_location_flows, for each month of `months`: what the fact sku_flows holds for
-- all locations (queries/facts/sku_flows.sql materialises it) and sku_flows_at sums for a filter.
-- grain: report_month x sku. inputs: sku_location_flows.
create or replace macro sku_location_sums(months, locations) as table
select
    report_month,
    sku,
    sum(shipped_units_month) as shipped_units_month,
    sum(shipped_units_90d) as shipped_units_90d,
    bool_or(has_shipment_180d) as has_shipment_180d,
    sum(shipped_units_6m) as shipped_units_6m
from sku_location_flows
where list_contains(months, report_month) and filter_keeps(locations, location, 'location')
group by report_month, sku;

-- sku_flows_at(months, locations, categories, suppliers): shipment units known at each month M
-- of `months` (versions <= M, all lines, returns included: a negative event puts units back)
-- per SKU, from the flows materialised at load time: units dated in M, in the 90 days up to t,
-- in the 6 calendar months ending at M, and whether a positive event falls in the 180 days up to
-- t. These feed COGS, days of supply, dead and excess stock. Without a location filter it reads
-- the per-SKU totals (sku_flows); with one, it sums the chosen locations (sku_location_flows).
-- grain: report_month x sku. inputs: sku_flows, sku_location_flows, product_facts.
create or replace macro sku_flows_at(months, locations, categories, suppliers) as table
with
all_locations as (
    select report_month, sku, shipped_units_month, shipped_units_90d, has_shipment_180d, shipped_units_6m
    from sku_flows
    where locations is null and list_contains(months, report_month)
),
chosen_locations as (
    select * from sku_location_sums(months, locations)
    where locations is not null
),
flows as (
    select * from all_locations
    union all
    select * from chosen_locations
)
select f.*, p.category
from flows as f
left join product_facts as p on p.sku = f.sku
where filter_keeps(categories, p.category, 'category')
  and filter_keeps(suppliers, p.supplier, 'supplier');
