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
-- which holds every line of k's upload and every line ordered after the month before). Each
-- month as reported at that month, like every 12-month figure: loading later months never
-- changes the series a forecast made at an earlier month was computed on.
-- grain: report_month x sku (SKUs with lines ordered in the month). inputs: line_facts.
create or replace macro sku_monthly_demand(months) as table
select f.report_month, f.sku, sum(f.qty_ordered - f.qty_cancelled) as net_ordered
from line_facts as f
join report_months(months) as m using (report_month)
where list_contains(months, f.report_month)
  and f.order_date >= m.month_start and f.order_date <= m.as_of
group by f.report_month, f.sku;

-- sku_demand(at_month): per SKU, as reported at M = at_month:
-- daily_demand d(s) = net ordered units (qty_ordered - qty_cancelled of the line's latest version
-- <= M) of the lines with order_date in the 90 days up to t = E(M) (after t - 90, on or before t),
-- divided by 90. Such a line's latest version is in the line facts of one of M-3..M (those of a
-- month hold the lines of its upload and the lines still open): the latest of them that holds it.
-- Monthly demand over the last 12 months with an orders upload (demand_months; fewer when fewer
-- are loaded), a month without the SKU's orders counting 0: mean, sigma = sample standard
-- deviation (n - 1; null with fewer than 2 months), cv = sigma / mean (null when mean <= 0).
-- grain: one row per SKU with demand in the 90 days or the 12 months. inputs: line_facts,
-- report_months, demand_months, sku_monthly_demand.
create or replace macro sku_demand(at_month) as table
with
bounds as (
    select as_of from report_months([at_month])
),
recent_lines as (
    select f.sku, f.qty_ordered - f.qty_cancelled as net_ordered
    from line_facts as f, bounds as b
    where list_contains(list_transform(range(4),
              lambda i: strftime(strptime(at_month, '%Y-%m') - to_months(i::integer), '%Y-%m')), f.report_month)
      and f.order_date > b.as_of - interval 90 day and f.order_date <= b.as_of
    qualify row_number() over (partition by f.line_uid order by f.report_month desc) = 1
),
recent as (
    select sku, sum(net_ordered) as demand_90d_units
    from recent_lines
    group by sku
),
months as (
    select list(report_month) as months, count(*) as n from demand_months(at_month, 12)
),
monthly as (
    select * from sku_monthly_demand((select months from months))
),
series as (
    -- every SKU ordered in one of the months, with 0 in the months it was not ordered
    select s.sku, m.report_month, coalesce(y.net_ordered, 0) as net_ordered
    from (select distinct sku from monthly) as s
    cross join demand_months(at_month, 12) as m
    left join monthly as y using (sku, report_month)
),
stats as (
    select
        sku,
        count(*) as count_demand_months,
        avg(net_ordered) as mean_monthly_demand,
        stddev_samp(net_ordered) as sigma_monthly_demand,
    from series
    group by sku
)
select
    sku,
    coalesce(r.demand_90d_units, 0) as demand_90d_units,
    coalesce(r.demand_90d_units, 0) / 90 as daily_demand,
    coalesce(s.count_demand_months, (select n from months)) as count_demand_months,
    coalesce(s.mean_monthly_demand, 0) as mean_monthly_demand,
    case when (select n from months) >= 2 then coalesce(s.sigma_monthly_demand, 0) end as sigma_monthly_demand,
    case when s.mean_monthly_demand > 0 then s.sigma_monthly_demand / s.mean_monthly_demand end as demand_cv,
from recent as r
full join stats as s using (sku);
