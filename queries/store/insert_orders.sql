-- insert_orders: store a prepared orders upload (the frame registered as `incoming`, one row per
-- line) as load $load_id of $month, with the events each line's new version contributes against
-- its latest active version of an earlier month (kpi-book 2): shipped increment dated ship_date,
-- else the month's last day; cancelled increment. Later months' versions are fixed by
-- facts/version_increments. (A month's rows sit together on disk, inserted in one statement.)
-- line_uid: the line's identity as md5_number of its length-prefixed order_id and line_key.
-- grain: one row per line. parameters: $load_id, $month. inputs: incoming, orders.
insert into order_lines
with
keyed as (
    select *, md5_number(length(order_id)::varchar || ':' || order_id || line_key) as line_uid
    from incoming
),
previous as (
    select
        o.line_uid,
        arg_max(o.qty_shipped, o.month) as qty_shipped,
        arg_max(o.qty_cancelled, o.month) as qty_cancelled
    from orders as o
    semi join keyed as i using (line_uid)
    where o.month < $month
    group by o.line_uid
)
select
    $load_id,
    $month,
    i.order_id,
    i.line_key,
    i.line_id,
    i.sku,
    i.order_date,
    i.qty_ordered,
    i.qty_shipped,
    i.ship_date,
    i.qty_cancelled,
    i.promised_date,
    i.unit_price,
    i.customer,
    i.location,
    i.status,
    i.source_rows,
    i.first_row,
    i.qty_shipped - coalesce(p.qty_shipped, 0) as shipped_increment,
    coalesce(i.ship_date, last_day(strptime($month, '%Y-%m'))::date) as shipped_on,
    i.qty_cancelled - coalesce(p.qty_cancelled, 0) as cancelled_increment,
    i.line_uid
from keyed as i
left join previous as p using (line_uid)
