-- line_states(months, promise_days, customers, locations, categories, suppliers):
-- order lines as reported at each month M of `months` (only uploads of months <= M), from the
-- line_facts materialised at load time: attributes of the latest version, open_qty at
-- t = E(M), events in M; due date, age and on-time shipments for the promise setting given.
-- Returns and corrections (qty_ordered <= 0) are not in the facts, as they are left out of
-- every backlog, backorder and fill-rate figure. Filters are lists; null keeps everything, and
-- '(no customer)' etc. keeps the lines without one (filter_keeps, 00_formulas).
-- grain: report_month x line (order_id, line_key). inputs: line_facts, product_facts.
create or replace macro line_states(months, promise_days, customers, locations, categories, suppliers) as table
with
months as (
    select * from report_months(months)
),
facts as (
    select
        m.month_start,
        m.as_of,
        f.*,
        coalesce(f.promised_date, (f.order_date + to_days(promise_days::integer))::date) as due_date
    from months as m
    join line_facts as f on f.report_month = m.report_month
),
final as (
    select
        f.report_month,
        f.month_start,
        f.as_of,
        f.order_id,
        f.line_key,
        f.sku,
        f.customer,
        f.location,
        p.category,
        p.supplier,
        f.order_date,
        f.promised_date,
        f.due_date,
        f.qty_ordered,
        f.qty_cancelled,
        f.qty_ordered - f.qty_cancelled as net_ordered,
        f.unit_price,
        f.last_reported_month,
        f.open_qty,
        date_diff('day', f.order_date, f.as_of) as age_days,
        f.due_date < f.as_of as is_past_due,
        f.order_date >= f.month_start and f.order_date <= f.as_of as is_new,
        f.shipped_to_date,
        f.shipped_in_month,
        f.cancelled_in_month,
        f.closed_by_absence,
        coalesce(list_sum(list_transform(
            list_filter(f.ship_events, lambda e: e.shipped_on <= f.due_date), lambda e: e.units)), 0)
            as shipped_by_due
    from facts as f
    left join product_facts as p on p.sku = f.sku
    where filter_keeps(customers, f.customer, 'customer')
      and filter_keeps(locations, f.location, 'location')
      and filter_keeps(categories, p.category, 'category')
      and filter_keeps(suppliers, p.supplier, 'supplier')
)
select * from final;
