-- backorder_totals: backorder_units (sum over SKUs), backordered_skus (SKUs with backorder
-- units > 0), backorder_rate = backorder_units / backlog_units, at t = E(M) as reported at M.
-- All null when M lacks its orders or its stock upload.
-- grain: one row. parameters: $month, $promise_days, $customers, $locations, $categories,
-- $suppliers. inputs: sku_backorders, uploaded_months.
with
by_sku as (
    select * from sku_backorders([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
both_uploaded as (
    select count(distinct dataset) = 2 as ok
    from uploaded_months where month = $month and dataset in ('orders', 'stock')
),
totals as (
    select
        coalesce(sum(backorder_units), 0) as backorder_units,
        count(*) filter (where backorder_units > 0) as backordered_skus,
        coalesce(sum(backorder_units), 0) / nullif(sum(open_demand), 0) as backorder_rate,
    from by_sku
)
select
    case when ok then backorder_units end as backorder_units,
    case when ok then backordered_skus end as backordered_skus,
    case when ok then backorder_rate end as backorder_rate,
from totals, both_uploaded
