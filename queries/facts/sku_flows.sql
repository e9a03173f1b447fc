-- sku_flows: the shipment flows of $month per SKU over all locations (sku_location_sums of
-- sku_location_flows, built just before), which is what every figure reads without a location filter.
-- grain: one row per SKU. parameters: $month. inputs: sku_location_sums (sku_location_flows).
insert into sku_flows
select * from sku_location_sums([$month], null)
