-- insert_stock: store a prepared stock upload (`incoming`) as load $load_id of $month.
-- grain: one row per stock row. parameters: $load_id, $month. inputs: incoming.
insert into stock_rows
select $load_id, $month, __row, sku, qty_on_hand, unit_cost, location, snapshot_date from incoming
