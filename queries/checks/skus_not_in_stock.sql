-- skus_not_in_stock: SKUs with open demand at t = E(M) and no row in M's stock file (their on
-- hand counts as 0, so they are backordered in full). Zero rows = pass.
-- grain: one row per SKU. parameters: $month, $promise_days. inputs: line_states, stock.
select sku, sum(open_qty) as open_demand, count(*) as count_lines
from line_states([$month], $promise_days, null::varchar[], null::varchar[], null::varchar[], null::varchar[])
where open_qty > 0
  and sku not in (select sku from stock where month = $month)
  and has_upload('stock', $month)
group by sku
order by open_demand desc, sku
