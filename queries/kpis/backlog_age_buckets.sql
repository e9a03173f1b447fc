-- backlog_age_buckets: open units and value per age bucket at t = E(M) as reported at M, for
-- each month M of $months; age = t - order_date in days, buckets from the configured upper
-- bounds (default 0-30, 31-60, 61-90, 91-180, 181+). Every bucket of every month with an orders
-- upload is returned, empty ones with 0.
-- grain: month x bucket. parameters: $months, $promise_days, $age_bounds, $age_labels,
-- $customers, $locations, $categories, $suppliers. inputs: line_states, uploaded_months.
with
open_lines as (
    select * from line_states($months, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
buckets as (
    select
        generate_subscripts($age_labels::varchar[], 1) as bucket_no,
        unnest($age_labels::varchar[]) as age_bucket
),
months_with_orders as (
    select m.report_month
    from report_months($months) as m
    join uploaded_months as u on u.dataset = 'orders' and u.month = m.report_month
),
bucketed as (
    select
        report_month,
        len(list_filter($age_bounds::integer[], lambda b: b < age_days)) + 1 as bucket_no,
        open_qty,
        open_qty * coalesce(unit_price, 0) as open_value
    from open_lines
),
final as (
    select
        m.report_month,
        b.bucket_no,
        b.age_bucket,
        coalesce(sum(x.open_qty), 0) as backlog_units,
        coalesce(sum(x.open_value), 0) as backlog_value
    from months_with_orders as m
    cross join buckets as b
    left join bucketed as x on x.report_month = m.report_month and x.bucket_no = b.bucket_no
    group by m.report_month, b.bucket_no, b.age_bucket
)
select * from final order by report_month, bucket_no
