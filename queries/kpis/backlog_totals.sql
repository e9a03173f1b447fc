-- backlog_totals: open customer demand at t = E(M), as reported at M: backlog_units,
-- backlog_value, backlog_lines, backlog_orders, avg_age_days, past_due_units (kpi-book 3).
-- Null when M has no orders upload.
-- grain: one row. parameters: $month, $promise_days, $customers, $locations, $categories, $suppliers.
-- inputs: line_states, uploaded_months.
with
lines as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
open_lines as (
    select * from lines where open_qty > 0
),
has_upload as (
    select count(*) > 0 as has_orders from uploaded_months where dataset = 'orders' and month = $month
),
totals as (
    select
        coalesce(sum(open_qty), 0) as backlog_units,
        coalesce(sum(open_qty * coalesce(unit_price, 0)), 0) as backlog_value,
        count(*) as backlog_lines,
        count(distinct order_id) as backlog_orders,
        sum(open_qty * age_days) / nullif(sum(open_qty), 0) as avg_age_days,
        coalesce(sum(open_qty) filter (where is_past_due), 0) as past_due_units,
        count(*) filter (where unit_price is null) as count_lines_without_price,
    from open_lines
),
final as (
    select
        case when has_orders then backlog_units end as backlog_units,
        case when has_orders then backlog_value end as backlog_value,
        case when has_orders then backlog_lines end as backlog_lines,
        case when has_orders then backlog_orders end as backlog_orders,
        case when has_orders then avg_age_days end as avg_age_days,
        case when has_orders then past_due_units end as past_due_units,
        case when has_orders then past_due_units / nullif(backlog_units, 0) end as past_due_share,
        case when has_orders then count_lines_without_price end as count_lines_without_price,
    from totals, has_upload
)
select * from final
