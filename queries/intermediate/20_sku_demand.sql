-- Demand per SKU (issue 10, replenishment), as reported at a month M: what customers ordered
-- (net of cancellations), not what was shipped (shipments understate demand while backordered).
-- Lines with qty_ordered <= 0 (returns, corrections) are not in line_facts, so not demand.

-- demand_months(at_month, n): the n latest months <= at_month with an orders upload (the months
-- a monthly demand series is made of: a month without its orders file is unknown, not 0).
-- grain: one row per month. inputs: uploaded_months.
create or replace macro demand_months(at_month, n) as table
select month as report_month
from uploaded_months
where dataset = 'orders' and month <= at_month
qualify row_number() over (order by month desc) <= n;

-- sku_monthly_demand(months): per month k of `months` and SKU, the net ordered units
-- (qty_ordered - qty_cancelled) of the lines ordered in k, as reported at k (line_facts of k,
-- which holds every line of k's upload and every line ordered after the month before; summed at
-- load time in sku_month_demand). Each month as reported at that month, like every 12-month
-- figure: loading later months never changes the series a forecast made at an earlier month was
-- computed on.
-- grain: report_month x sku (SKUs with lines ordered in the month). inputs: sku_month_demand.
create or replace macro sku_monthly_demand(months) as table
select report_month, sku, net_ordered
from sku_month_demand
-- a semi join on the months, not list_contains: `months` is usually a subquery's list, and
-- list_contains of one is a nested-loop join over every row
where report_month in (select unnest(months));

-- sku_recent_demand_of(at_month, wanted): per SKU, the net ordered units (qty_ordered - qty_cancelled of
-- the line's latest version <= M) of the lines with order_date in the 90 days up to t = E(M) (after
-- t - 90, on or before t). Such a line's latest version is in the line facts of one of M-3..M
-- (those of a month hold the lines of its upload and the lines still open): the latest of them
-- that holds it. Materialised per month at load time (sku_recent_demand), read by sku_demand.
-- `wanted` false gives no rows without reading the lines (a filter DuckDB evaluates before the scan).
-- grain: one row per SKU with such lines. inputs: line_facts, report_months.
create or replace macro sku_recent_demand_of(at_month, wanted) as table
with
bounds as (
    select as_of from report_months([at_month])
),
recent_lines as (
    -- each line's row in the latest of those months' facts (arg_max: cheaper than a window)
    select
        arg_max(f.sku, f.report_month) as sku,
        arg_max(f.qty_ordered - f.qty_cancelled, f.report_month) as net_ordered,
        arg_max(f.order_date, f.report_month) as order_date
    from line_facts as f
    where list_contains(list_transform(range(4),
              lambda i: strftime(strptime(at_month, '%Y-%m') - to_months(i::integer), '%Y-%m')), f.report_month)
      and wanted
    group by f.line_uid
)
-- the latest version's order date decides (an order date may be corrected between versions)
select sku, sum(net_ordered) as demand_90d_units
from recent_lines, bounds as b
where order_date > b.as_of - interval 90 day and order_date <= b.as_of
group by sku;

-- sku_demand(at_month): per SKU, as reported at M = at_month:
-- daily_demand d(s) = the net ordered units of the lines ordered in the 90 days up to t = E(M)
-- (sku_recent_demand_of, materialised per month in sku_recent_demand; computed for a month after
-- the last month of the facts), divided by 90.
-- Monthly demand over the last 12 months with an orders upload (demand_months; fewer when fewer
-- are loaded), a month without the SKU's orders counting 0: mean, sigma = sample standard
-- deviation (n - 1; null with fewer than 2 months), cv = sigma / mean (null when mean <= 0).
-- grain: one row per SKU with demand in the 90 days or the 12 months. inputs: sku_recent_demand,
-- fact_progress, demand_months, sku_monthly_demand.
create or replace macro sku_demand(at_month) as table
with
recent as (
    select sku, demand_90d_units from sku_recent_demand where report_month = at_month
    union all
    select * from sku_recent_demand_of(at_month,
        coalesce(at_month > (select last_month from fact_progress where family = 'orders'), false))
),
months as (
    select list(report_month) as months, count(*) as n from demand_months(at_month, 12)
),
monthly as (
    select * from sku_monthly_demand((select months from months))
),
stats as (
    -- over the n months, a month without the SKU's orders counting 0: from the sums of the months
    -- it has (sample variance = (sum y^2 - (sum y)^2 / n) / (n - 1)), not a SKU x month grid
    select
        y.sku,
        sum(y.net_ordered) / m.n as mean_monthly_demand,
        case when m.n >= 2 then sqrt(greatest(0,
            (sum(y.net_ordered * y.net_ordered) - sum(y.net_ordered) * sum(y.net_ordered) / m.n) / (m.n - 1)))
        end as sigma_monthly_demand
    from monthly as y, months as m
    group by y.sku, m.n
)
select
    sku,
    coalesce(r.demand_90d_units, 0) as demand_90d_units,
    coalesce(r.demand_90d_units, 0) / 90 as daily_demand,
    (select n from months) as count_demand_months,
    coalesce(s.mean_monthly_demand, 0) as mean_monthly_demand,
    case when (select n from months) >= 2 then coalesce(s.sigma_monthly_demand, 0) end as sigma_monthly_demand,
    case when s.mean_monthly_demand > 0 then s.sigma_monthly_demand / s.mean_monthly_demand end as demand_cv
from recent as r
full join stats as s using (sku);
