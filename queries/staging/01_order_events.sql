-- order_events: every stored version of every order line with the events it contributes
-- (kpi-book section 2): shipped increment dated ship_date (else the version month's last day),
-- cancelled increment dated the version month's last day. v_0 counts as 0.
-- grain: one row per line version (order_id, line_key, month). inputs: orders (active loads).
create or replace view order_events as
select
    o.*,
    last_day(strptime(o.month, '%Y-%m'))::date as version_end,
    o.qty_shipped - coalesce(lag(o.qty_shipped) over line_versions, 0) as shipped_increment,
    coalesce(o.ship_date, last_day(strptime(o.month, '%Y-%m'))::date) as shipped_on,
    o.qty_cancelled - coalesce(lag(o.qty_cancelled) over line_versions, 0) as cancelled_increment,
from orders as o
window line_versions as (partition by o.order_id, o.line_key order by o.month);
