-- all_increments: recompute the events every active version contributes (see
-- version_increments), for a full rebuild of the facts.
-- grain: updates order_lines rows. parameters: none. inputs: order_lines, orders.
update order_lines as o
set
    shipped_increment = x.shipped_increment,
    shipped_on = x.shipped_on,
    cancelled_increment = x.cancelled_increment
from (
    select
        v.load_id,
        v.order_id,
        v.line_key,
        v.qty_shipped - coalesce(lag(v.qty_shipped) over line_versions, 0) as shipped_increment,
        coalesce(v.ship_date, last_day(strptime(v.month, '%Y-%m'))::date) as shipped_on,
        v.qty_cancelled - coalesce(lag(v.qty_cancelled) over line_versions, 0) as cancelled_increment,
    from orders as v
    window line_versions as (partition by v.order_id, v.line_key order by v.month)
) as x
where o.load_id = x.load_id and o.order_id = x.order_id and o.line_key = x.line_key
