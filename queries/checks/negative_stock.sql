-- negative_stock: stock rows of M with a negative quantity on hand (a SKU's on hand counts as
-- max(0, sum of its rows)). Zero rows = pass.
-- grain: one row per stock row. parameters: $month. inputs: stock.
select sku, location, qty_on_hand, source_row
from stock
where month = $month and qty_on_hand < 0
order by qty_on_hand, sku
