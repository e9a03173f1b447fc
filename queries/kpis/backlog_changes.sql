-- backlog_changes: what moved the backlog and the backorders between the comparison month and
-- M (each as reported at its own month): backlog units and backorder units per SKU, per customer
-- and per age bucket in both months, with the change. Largest absolute change first per kind.
-- grain: kind (sku | customer | age_bucket) x key. parameters: $month, $compare_month,
-- $promise_days, $age_bounds, $age_labels, $customers, $locations, $categories, $suppliers.
-- inputs: line_states, sku_backorders.
with
open_lines as (
    select
        report_month,
        sku,
        filter_value(customer, 'customer') as customer,  -- '(no customer)', as the filter says
        $age_labels[len(list_filter($age_bounds::integer[], lambda b: b < age_days)) + 1] as age_bucket,
        open_qty
    from line_states([$month, $compare_month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
backorders as (
    select report_month, sku, backorder_units
    from sku_backorders([$month, $compare_month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
by_key as (
    select 'sku' as kind, report_month, sku as key, sum(open_qty) as backlog_units, 0 as backorder_units
    from open_lines group by all
    union all
    select 'sku', report_month, sku, 0, backorder_units from backorders
    union all
    select 'customer', report_month, customer, sum(open_qty), 0 from open_lines group by all
    union all
    select 'age_bucket', report_month, age_bucket, sum(open_qty), 0 from open_lines group by all
),
pivoted as (
    select
        kind,
        key,
        coalesce(sum(backlog_units) filter (where report_month = $month), 0) as backlog_units,
        coalesce(sum(backlog_units) filter (where report_month = $compare_month), 0) as backlog_units_before,
        coalesce(sum(backorder_units) filter (where report_month = $month), 0) as backorder_units,
        coalesce(sum(backorder_units) filter (where report_month = $compare_month), 0) as backorder_units_before
    from by_key
    group by kind, key
),
final as (
    select
        *,
        backlog_units - backlog_units_before as backlog_change,
        backorder_units - backorder_units_before as backorder_change
    from pivoted
)
select * from final
order by kind, greatest(abs(backlog_change), abs(backorder_change)) desc, key
