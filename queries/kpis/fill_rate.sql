-- fill_rate: for lines ordered in M with net_ordered > 0, on-time units = min(net_ordered,
-- shipment events dated <= due date), as reported at M. fill_rate_units = on-time units / net
-- ordered units; fill_rate_lines = lines filled on time / lines; fill_rate_orders = orders
-- with every line filled on time / orders. is_provisional: no orders upload after M yet.
-- grain: one row. parameters: $month, $promise_days, $customers, $locations, $categories,
-- $suppliers. inputs: line_states, uploaded_months.
with
ordered_in_month as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where is_new and net_ordered > 0
),
per_line as (
    select
        order_id,
        net_ordered,
        least(net_ordered, shipped_by_due) as on_time_units,
        least(net_ordered, shipped_by_due) = net_ordered as is_filled_on_time,
    from ordered_in_month
),
per_order as (
    select order_id, bool_and(is_filled_on_time) as is_filled_on_time
    from per_line
    group by order_id
),
final as (
    select
        (select sum(on_time_units) / nullif(sum(net_ordered), 0) from per_line) as fill_rate_units,
        (select count(*) filter (where is_filled_on_time) / nullif(count(*), 0) from per_line) as fill_rate_lines,
        (select count(*) filter (where is_filled_on_time) / nullif(count(*), 0) from per_order) as fill_rate_orders,
        (select count(*) from per_line) as count_lines,
        (select count(*) from per_order) as count_orders,
        not exists (select 1 from uploaded_months where dataset = 'orders' and month > $month) as is_provisional,
)
select * from final
where exists (select 1 from uploaded_months where dataset = 'orders' and month = $month)
