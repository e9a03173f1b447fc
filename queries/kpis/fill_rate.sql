-- fill_rate: for each month M of $months, over lines ordered in M with net_ordered > 0:
-- on-time units = min(net_ordered, shipment events dated <= due date), as reported at M.
-- fill_rate_units = on-time units / net ordered units; fill_rate_lines = lines filled on time /
-- lines; fill_rate_orders = orders with every line filled on time / orders. is_provisional: no
-- orders upload after M yet. Null for a month without an orders upload.
-- grain: one row per month. parameters: $months, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: line_states, report_months, uploaded_months.
with
per_line as (
    select
        report_month,
        order_id,
        net_ordered,
        least(net_ordered, shipped_by_due) as on_time_units,
        round(least(net_ordered, shipped_by_due), 6) = round(net_ordered, 6) as is_filled_on_time
    from line_states($months, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where is_new and net_ordered > 0
),
per_order as (
    select report_month, order_id, bool_and(is_filled_on_time) as is_filled_on_time
    from per_line
    group by report_month, order_id
),
line_rates as (
    select
        report_month,
        sum(on_time_units) / nullif(sum(net_ordered), 0) as fill_rate_units,
        count(*) filter (where is_filled_on_time) / nullif(count(*), 0) as fill_rate_lines,
        count(*) as count_lines
    from per_line
    group by report_month
),
order_rates as (
    select
        report_month,
        count(*) filter (where is_filled_on_time) / nullif(count(*), 0) as fill_rate_orders,
        count(*) as count_orders
    from per_order
    group by report_month
),
orders_uploaded as (
    select month as report_month from uploaded_months where dataset = 'orders'
),
final as (
    select
        m.report_month,
        l.fill_rate_units,
        l.fill_rate_lines,
        o.fill_rate_orders,
        coalesce(l.count_lines, 0) as count_lines,
        coalesce(o.count_orders, 0) as count_orders,
        case when u.report_month is not null then
            not exists (select 1 from uploaded_months as later
                        where later.dataset = 'orders' and later.month > m.report_month)
        end as is_provisional
    from report_months($months) as m
    left join orders_uploaded as u using (report_month)
    left join line_rates as l using (report_month)
    left join order_rates as o using (report_month)
)
select * from final order by report_month
