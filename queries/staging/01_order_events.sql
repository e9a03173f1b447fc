-- order_events: every active version of every order line with the events it contributes
-- (kpi-book section 2), as materialised at load time in order_lines by stocklens.facts:
-- shipped increment dated shipped_on (ship_date, else the version month's last day) and
-- cancelled increment dated version_end (the version month's last day).
-- grain: one row per line version (order_id, line_key, month). inputs: orders (active loads).
create or replace view order_events as
select
    o.*,
    last_day(strptime(o.month, '%Y-%m'))::date as version_end,
from orders as o;
