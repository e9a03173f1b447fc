-- stock_by_sku: per SKU on hand at M: unit cost, value, days of supply (on hand / average daily
-- shipment units of the 90 days up to t; null without shipments), dead stock (on hand > 0 and
-- no positive shipment in the 180 days up to t) and excess units and value (on hand above
-- excess_months x monthly demand of the 6 calendar months ending at M). Largest value first.
-- grain: one row per SKU. parameters: $month, $excess_months, $locations, $categories,
-- $suppliers. inputs: sku_stock_list (sku_stock).
select *
from sku_stock_list($month, $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
order by stock_value desc nulls last, sku
