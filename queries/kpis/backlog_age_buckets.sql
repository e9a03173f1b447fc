-- backlog_age_buckets: open units and value per age bucket at t = E(M), age = t - order_date
-- in days, buckets from the configured upper bounds (default 0-30, 31-60, 61-90, 91-180, 181+).
-- Every bucket is returned, empty ones with 0.
-- grain: one row per bucket. parameters: $month, $promise_days, $age_bounds, $age_labels,
-- $customers, $locations, $categories, $suppliers. inputs: line_states.
with
open_lines as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
buckets as (
    select
        generate_subscripts($age_labels::varchar[], 1) as bucket_no,
        unnest($age_labels::varchar[]) as age_bucket,
),
bucketed as (
    select
        len(list_filter($age_bounds::integer[], lambda b: b < age_days)) + 1 as bucket_no,
        open_qty,
        open_qty * coalesce(unit_price, 0) as open_value,
    from open_lines
),
final as (
    select
        b.bucket_no,
        b.age_bucket,
        coalesce(sum(x.open_qty), 0) as backlog_units,
        coalesce(sum(x.open_value), 0) as backlog_value,
    from buckets as b
    left join bucketed as x using (bucket_no)
    group by b.bucket_no, b.age_bucket
)
select * from final order by bucket_no
