-- backlog_open_lines: the open lines at t = E(M) as reported at M, oldest first, with their
-- open units, value, age, due date and whether they are past due.
-- grain: one row per open line. parameters: $month, $promise_days, $customers, $locations,
-- $categories, $suppliers, $limit. inputs: line_states.
with
open_lines as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
final as (
    select
        order_id,
        line_key,
        sku,
        customer,
        location,
        category,
        order_date,
        due_date,
        age_days,
        is_past_due,
        qty_ordered,
        shipped_to_date,
        open_qty,
        unit_price,
        open_qty * unit_price as open_value,
        last_reported_month
    from open_lines
)
select * from final order by order_date, order_id, line_key limit $limit
