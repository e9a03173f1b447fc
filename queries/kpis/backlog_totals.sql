-- backlog_totals: open customer demand at t = E(M), as reported at M, for each month M of
-- $months: backlog_units, backlog_value, backlog_lines, backlog_orders, avg_age_days,
-- past_due_units (kpi-book 3) and past_due_share. Null for a month without an orders upload.
-- grain: one row per month. parameters: $months, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: line_states, report_months, uploaded_months.
with
open_lines as (
    select * from line_states($months, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
months as (
    select report_month from report_months($months)
),
orders_uploaded as (
    select month as report_month from uploaded_months where dataset = 'orders'
),
totals as (
    select
        report_month,
        sum(open_qty) as backlog_units,
        sum(open_qty * coalesce(unit_price, 0)) as backlog_value,
        count(*) as backlog_lines,
        count(distinct order_id) as backlog_orders,
        sum(open_qty * age_days) / nullif(sum(open_qty), 0) as avg_age_days,
        coalesce(sum(open_qty) filter (where is_past_due), 0) as past_due_units,
        count(*) filter (where unit_price is null) as count_lines_without_price
    from open_lines
    group by report_month
),
final as (
    select
        m.report_month,
        u.report_month is not null as has_orders_upload,
        case when u.report_month is not null then coalesce(t.backlog_units, 0) end as backlog_units,
        case when u.report_month is not null then coalesce(t.backlog_value, 0) end as backlog_value,
        case when u.report_month is not null then coalesce(t.backlog_lines, 0) end as backlog_lines,
        case when u.report_month is not null then coalesce(t.backlog_orders, 0) end as backlog_orders,
        case when u.report_month is not null then t.avg_age_days end as avg_age_days,
        case when u.report_month is not null then coalesce(t.past_due_units, 0) end as past_due_units,
        case when u.report_month is not null then t.past_due_units / nullif(t.backlog_units, 0) end
            as past_due_share,
        case when u.report_month is not null then coalesce(t.count_lines_without_price, 0) end
            as count_lines_without_price
    from months as m
    left join orders_uploaded as u using (report_month)
    left join totals as t using (report_month)
)
select * from final order by report_month
