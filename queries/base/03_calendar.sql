-- report_months(months): each YYYY-MM of a list with its first day and last day t = E(M).
-- grain: one row per month. inputs: none.
create or replace macro report_months(months) as table
select
    report_month,
    strptime(report_month, '%Y-%m')::date as month_start,
    last_day(strptime(report_month, '%Y-%m'))::date as as_of
from (select unnest(months) as report_month);

-- uploaded_months: which dataset has an active upload for which month.
-- grain: dataset x month. inputs: loads.
create or replace view uploaded_months as
select distinct dataset, month from loads where state = 'active' and month is not null;

-- has_upload(of_dataset, at_month): whether a month has an active upload of a dataset (a scalar
-- macro, inlined). has_backorder_uploads(at_month): both orders and stock, which backorders need.
create or replace macro has_upload(of_dataset, at_month) as
    exists (select 1 from uploaded_months as u where u.dataset = of_dataset and u.month = at_month);
create or replace macro has_backorder_uploads(at_month) as
    has_upload('orders', at_month) and has_upload('stock', at_month);

-- shipment_history(months): for each month M, whether the shipments read by days of supply, dead
-- and excess stock are reported (README): their windows (90 and 180 days up to t, 6 calendar
-- months ending at M) all lie within the 6 calendar months ending at M, so M needs its orders
-- upload, and so does every month of those 6 from the first orders upload on (the first file
-- carries the history before it: its lines' shipments of earlier months). Without, those figures
-- are unknown: every SKU would look dead.
-- grain: one row per month. inputs: uploaded_months.
create or replace macro shipment_history(months) as table
with
orders_months as (
    select month from uploaded_months where dataset = 'orders'
),
window_months as (
    select m.report_month, strftime(m.month_start - to_months(r.i::integer), '%Y-%m') as window_month
    from report_months(months) as m, range(6) as r(i)
)
select
    w.report_month,
    bool_or(w.window_month = w.report_month and o.month is not null)
        and count(*) filter (where w.window_month >= (select min(month) from orders_months) and o.month is null) = 0
        as is_known
from window_months as w
left join orders_months as o on o.month = w.window_month
group by w.report_month;
