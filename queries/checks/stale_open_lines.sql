-- stale_open_lines: lines still open at t = E(M) whose last version is from an earlier upload:
-- a later orders file did not list them, so their state was never refreshed (shipped or closed
-- lines that an "open lines only" export drops stay open here). Zero rows = pass.
-- When the month's file does list every open line (a Shopify date-range export of open orders, an
-- ERP's open-order list), loading it with the option "this file lists every open order line"
-- (CLI load --lists-every-open-line) closes these lines by absence as of the month: how_to_close
-- says so on every row. Lines that month's load already closed are not open, so not listed.
-- grain: one row per line. parameters: $month, $promise_days. inputs: line_states.
select order_id, line_key, sku, customer, order_date, open_qty, last_reported_month,
       'If this month''s orders file lists every open order line, load it again with "This file lists '
       || 'every open order line" (CLI: load --lists-every-open-line) to close these lines as of '
       || $month || '.' as how_to_close
from line_states([$month], $promise_days, null::varchar[], null::varchar[], null::varchar[], null::varchar[])
where open_qty > 0
  and last_reported_month < $month
  and has_upload('orders', $month)
order by last_reported_month, order_date, order_id
