-- version_increments: recompute the events each active version of month $from_month or later
-- contributes, for the lines that have a version (of any load, active or not) in $month (every
-- line when $month is null, for a full rebuild): shipped
-- increment = qty_shipped minus the previous active version's (v_0 = 0), dated ship_date or else
-- the version month's last day; cancelled increment likewise (dated the month's end in the facts).
-- Needed when a month's versions change under later ones (a past month replaced, undone, deleted).
-- grain: updates order_lines rows. parameters: $month, $from_month. inputs: order_lines, orders.
update order_lines as o
set
    shipped_increment = x.shipped_increment,
    shipped_on = x.shipped_on,
    cancelled_increment = x.cancelled_increment
from (
    select
        v.load_id,
        v.line_uid,
        v.month,
        v.qty_shipped - coalesce(lag(v.qty_shipped) over line_versions, 0) as shipped_increment,
        coalesce(v.ship_date, last_day(strptime(v.month, '%Y-%m'))::date) as shipped_on,
        v.qty_cancelled - coalesce(lag(v.qty_cancelled) over line_versions, 0) as cancelled_increment
    from orders as v
    semi join (select distinct line_uid from order_lines where $month is null or month = $month) as k
        using (line_uid)
    window line_versions as (partition by v.line_uid order by v.month)
) as x
where o.load_id = x.load_id and o.line_uid = x.line_uid
  and x.month >= $from_month
