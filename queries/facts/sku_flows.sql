-- sku_flows: the shipment flows of $month per SKU over all locations (sku_location_flows, built
-- just before, summed), which is what every figure reads without a location filter.
-- grain: one row per SKU. parameters: $month. inputs: sku_location_flows.
insert into sku_flows
select
    report_month,
    sku,
    sum(shipped_units_month) as shipped_units_month,
    sum(shipped_units_90d) as shipped_units_90d,
    bool_or(has_shipment_180d) as has_shipment_180d,
    sum(shipped_units_6m) as shipped_units_6m
from sku_location_flows
where report_month = $month
group by report_month, sku
