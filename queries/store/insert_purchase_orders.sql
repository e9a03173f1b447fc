-- insert_purchase_orders: store a prepared purchase-order upload (`incoming`) as load $load_id of $month.
-- grain: one row per PO line. parameters: $load_id, $month. inputs: incoming.
insert into po_lines
select $load_id, $month, __row, po_id, line_id, sku, supplier, order_date, expected_date,
       received_date, qty_ordered, qty_received, unit_cost
from incoming
