-- sku_forecast(at_month, alpha): per SKU, the demand forecast for month M = at_month made with the
-- data up to M-1, and M's actual demand as reported at M. Demand of a month = sku_monthly_demand
-- (net ordered units of the lines ordered in it, as reported at that month); a month with an
-- orders upload where the SKU was not ordered counts 0, a month without one is left out.
--   seasonal, when each of the 24 months M-24..M-1 has an orders upload:
--     forecast = level x seasonal index, level = mean demand of M-12..M-1 (a whole year: no season
--     in it), index = mean of M-12 and M-24 / mean demand of M-24..M-1 (1 when that mean is 0);
--   else simple exponential smoothing over the last 12 months <= M-1 with an orders upload, oldest
--     first: level = first month's demand, then level = alpha x demand + (1 - alpha) x level;
--     forecast = the last level. Closed form: weight (1 - alpha)^j for the oldest month, alpha x
--     (1 - alpha)^j for the others, j = months between it and the newest (the weights sum to 1).
-- No forecast (no row) without an orders upload before M. actual_units is null when M has no
-- orders upload. SKUs: those ordered in one of the months read, or in M, kept by the category
-- and supplier filters (lists, null keeps every SKU: filter_keeps). Each SKU's forecast reads only
-- its own demand, so a filter prunes before the sums, not after.
-- grain: one row per SKU. inputs: demand_months, sku_monthly_demand, uploaded_months, product_facts.
create or replace macro sku_forecast(at_month, alpha, categories, suppliers) as table
with
prev as (
    select strftime(strptime(at_month, '%Y-%m') - interval 1 month, '%Y-%m') as month_before
),
level_months as (
    select report_month, row_number() over (order by report_month desc) - 1 as age
    from demand_months((select month_before from prev), 12)
),
count_level_months as (
    select count(*) as n from level_months
),
calendar_24 as (
    -- M-24 .. M-1, with how many months before M each is
    select i as lag, strftime(strptime(at_month, '%Y-%m') - to_months(i::integer), '%Y-%m') as report_month
    from range(1, 25) as t(i)
),
is_seasonal as (
    select count(*) = 24 as seasonal
    from calendar_24 as c
    join uploaded_months as u on u.dataset = 'orders' and u.month = c.report_month
),
read_months as (
    select list(distinct report_month) as months
    from (select report_month from level_months
          union all select report_month from calendar_24 where (select seasonal from is_seasonal)
          union all select at_month where has_upload('orders', at_month))
),
monthly as (
    select y.*
    from sku_monthly_demand((select months from read_months)) as y
    left join product_facts as p on p.sku = y.sku
    where filter_keeps(categories, p.category, 'category')
      and filter_keeps(suppliers, p.supplier, 'supplier')
),
skus as (
    select distinct sku from monthly
),
-- the sums over the months of each SKU's rows only (a month without them adds 0), not a SKU x
-- month grid
ses as (
    select
        s.sku,
        coalesce(sum(y.net_ordered * case when y.age = n.n - 1 then pow(1 - alpha, y.age)
                                          else alpha * pow(1 - alpha, y.age) end), 0) as ses_forecast,
        -- when seasonal, the 12 level months are M-12..M-1
        coalesce(sum(y.net_ordered), 0) / n.n as mean_last_year
    from skus as s
    cross join count_level_months as n
    left join (select * from monthly join level_months using (report_month)) as y on y.sku = s.sku
    group by s.sku, n.n
),
seasonal as (
    select
        s.sku,
        coalesce(sum(y.net_ordered), 0) / 24 as mean_24,
        coalesce(sum(y.net_ordered) filter (where y.lag in (12, 24)), 0) / 2 as mean_same_month
    from skus as s
    left join (select * from monthly join calendar_24 using (report_month)) as y on y.sku = s.sku
    where (select seasonal from is_seasonal)
    group by s.sku
),
final as (
    select
        s.sku,
        case when (select seasonal from is_seasonal) then 'seasonal' else 'smoothing' end as forecast_method,
        case
            when (select seasonal from is_seasonal)
                then s.mean_last_year * coalesce(z.mean_same_month / nullif(z.mean_24, 0), 1)
            else s.ses_forecast
        end as forecast_units,
        case when has_upload('orders', at_month)
            then coalesce(a.net_ordered, 0) end as actual_units
    from ses as s
    left join seasonal as z using (sku)
    left join monthly as a on a.sku = s.sku and a.report_month = at_month
)
select * from final
where (select n from count_level_months) > 0;
