-- sku_recent_demand: per SKU, the net ordered units of the lines ordered in the 90 days up to
-- E($month) as reported at $month (sku_recent_demand_of, over the line facts of $month and the 3
-- months before, built before it), which sku_demand reads instead of ranking those lines again.
-- grain: one row per SKU with such lines. parameters: $month. inputs: sku_recent_demand_of.
insert into sku_recent_demand
select $month as report_month, sku, demand_90d_units
from sku_recent_demand_of($month, true)
