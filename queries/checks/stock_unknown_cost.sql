-- stock_unknown_cost: SKUs on hand at M with no unit cost in M, in an earlier stock file or in
-- the product master: they are left out of inventory value. Zero rows = pass.
-- grain: one row per SKU. parameters: $month. inputs: stock_states.
select sku, on_hand
from stock_states([$month], null::varchar[], null::varchar[], null::varchar[])
where on_hand > 0 and unit_cost is null
order by on_hand desc, sku
