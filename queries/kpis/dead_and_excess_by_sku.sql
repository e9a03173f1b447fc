-- dead_and_excess_by_sku: the SKUs of stock_by_sku that are dead stock (on hand > 0 and no positive
-- shipment in the 180 days up to t) or hold excess units (on hand above excess_months x monthly
-- demand of the 6 calendar months ending at M), with the same columns. Largest value first.
-- grain: one row per SKU at risk. parameters: $month, $excess_months, $locations, $categories,
-- $suppliers. inputs: sku_stock_list (sku_stock).
select *
from sku_stock_list($month, $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
where is_dead or excess_units > 0
order by stock_value desc nulls last, sku
