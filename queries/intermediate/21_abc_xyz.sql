-- sku_abc_xyz(at_month, abc_a, abc_b): every SKU's ABC-XYZ class as reported at M = at_month.
-- ABC by 12-month shipped value at cost: shipment units dated in each of the 12 months ending at M,
-- each as reported at that month (sku_flows: returns net out, like COGS), times unit_cost(s, M)
-- (sku_unit_cost: the stock cost as of M, else the product master's). Value descending (then sku),
-- a SKU is in the class its cumulative share starts in: A while the value before it is below
-- abc_a (0.80) of the total, B below abc_a + abc_b (0.95), else C; so the SKU crossing 80% is A.
-- A SKU with value <= 0 or an unknown cost is C (its value is null when unknown).
-- XYZ by the coefficient of variation of monthly demand (sku_demand: sigma / mean of monthly net
-- ordered units over the last 12 months with an orders file): X <= 0.5, Y <= 1.0, Z above; a SKU
-- without demand (mean <= 0) or without a sigma (fewer than 2 such months) is Z: nothing to
-- forecast from, the least predictable class.
-- The classes are the whole assortment's: filters select SKUs, they do not re-rank them.
-- grain: one row per SKU of the product master, shipped or ordered in the 12 months, or in M's
-- stock file; with daily_demand, mean, sigma and cv of sku_demand. inputs: sku_flows,
-- stock_costs, stock_on_hand, product_facts, sku_demand.
-- (defined through sku_abc_xyz_of, below) sku_abc_xyz_of(..., with_demand): the same; with_demand false leaves out the demand (sku_demand
-- is not read: a filter DuckDB evaluates before the scan), so the XYZ columns and the SKUs only
-- ordered (value 0, class C: they change no other SKU's class) are missing. sku_abc: the ABC
-- class alone, for the forecast's accuracy per class.
create or replace macro sku_abc_xyz_of(at_month, abc_a, abc_b, with_demand) as table
with
shipped as (
    select sku, sum(shipped_units_month) as shipped_units_12m
    from sku_flows
    -- the list inline, not read from the `year` CTE: a constant list lets DuckDB skip the row
    -- groups of other months (sku_flows is inserted month by month) instead of a nested-loop join
    where list_contains(list_transform(range(12),
              lambda i: strftime(strptime(at_month, '%Y-%m') - to_months(i::integer), '%Y-%m')), report_month)
    group by sku
),
demand as (
    select sku, daily_demand, mean_monthly_demand, sigma_monthly_demand, demand_cv from sku_demand(at_month)
    where with_demand
),
skus as (
    select sku from product_facts
    union
    select sku from shipped
    union
    select sku from demand
    union
    select sku from stock_on_hand where report_month = at_month
),
valued as (
    select
        s.sku,
        coalesce(sh.shipped_units_12m, 0) as shipped_units_12m,
        sku_unit_cost(c.unit_cost, p.unit_cost) as unit_cost,
        coalesce(sh.shipped_units_12m, 0) * sku_unit_cost(c.unit_cost, p.unit_cost) as value_12m,
        greatest(coalesce(sh.shipped_units_12m, 0) * sku_unit_cost(c.unit_cost, p.unit_cost), 0) as ranked_value
    from skus as s
    left join shipped as sh using (sku)
    left join stock_costs as c on c.report_month = at_month and c.sku = s.sku
    left join product_facts as p on p.sku = s.sku
),
ranked as (
    select
        *,
        coalesce(sum(ranked_value) over (order by ranked_value desc nulls last, sku
                                         rows between unbounded preceding and 1 preceding), 0) as value_before,
        sum(ranked_value) over () as value_total
    from valued
),
classed as (
    select
        r.*,
        -- shares rounded: 0.8 + 0.15 is 0.9500000000000001 in floating point
        case
            when coalesce(r.ranked_value, 0) <= 0 then 'C'
            when round(r.value_before / r.value_total, 9) < round(abc_a, 9) then 'A'
            when round(r.value_before / r.value_total, 9) < round(abc_a + abc_b, 9) then 'B'
            else 'C'
        end as abc_class,
        coalesce(d.daily_demand, 0) as daily_demand,
        d.mean_monthly_demand,
        d.sigma_monthly_demand,
        d.demand_cv,
        case
            when round(d.demand_cv, 9) <= 0.5 then 'X'
            when round(d.demand_cv, 9) <= 1.0 then 'Y'
            else 'Z'
        end as xyz_class
    from ranked as r
    left join demand as d using (sku)
)
select
    sku,
    shipped_units_12m,
    unit_cost,
    value_12m,
    value_before / nullif(value_total, 0) as value_share_before,
    abc_class,
    daily_demand,
    mean_monthly_demand,
    sigma_monthly_demand,
    demand_cv,
    xyz_class,
    abc_class || xyz_class as abc_xyz_class
from classed;

create or replace macro sku_abc_xyz(at_month, abc_a, abc_b) as table
select * from sku_abc_xyz_of(at_month, abc_a, abc_b, true);

create or replace macro sku_abc(at_month, abc_a, abc_b) as table
select sku, abc_class from sku_abc_xyz_of(at_month, abc_a, abc_b, false);
