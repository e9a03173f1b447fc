-- version_increments: recompute the events each active version contributes, for every version
-- of the lines that have a version (of any load) in $month: shipped increment = qty_shipped minus
-- the previous version's (v_0 = 0), dated ship_date or else the version month's last day;
-- cancelled increment likewise (dated the version month's last day, in the facts).
-- grain: updates order_lines rows. parameters: $month. inputs: order_lines, loads.
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
    semi join (select distinct order_id, line_key from order_lines where month = $month) as k
        using (order_id, line_key)
    window line_versions as (partition by v.order_id, v.line_key order by v.month)
) as x
where o.load_id = x.load_id and o.order_id = x.order_id and o.line_key = x.line_key
