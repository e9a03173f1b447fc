-- line_uids: give every stored order line version its line_uid (as insert_orders does), for a
-- store made before line_uid existed; the rebuild of the facts runs it first.
-- grain: updates order_lines rows. parameters: none. inputs: order_lines.
update order_lines
set line_uid = md5_number(length(order_id)::varchar || ':' || order_id || line_key)
where line_uid is null
