-- abc_xyz_by_sku: every SKU's ABC-XYZ class as reported at M (sku_abc_xyz, shares $abc_a and
-- $abc_b) with what it rests on: 12-month shipped units, unit cost as of M, 12-month value and the
-- cumulative share before it; monthly demand mean, sigma (sample) and coefficient of variation
-- over the last 12 months with an orders upload; daily demand of the last 90 days (sku_demand);
-- backorder units at M (null when M lacks its orders or stock upload). $classes (a list such as
-- ['AX', 'BY'], null = all) keeps the SKUs of those cells. Highest value first. A category or
-- supplier filter keeps its SKUs; the customer and location filters do not apply.
-- grain: one row per SKU. parameters: $month, $abc_a, $abc_b, $classes, $categories, $suppliers.
-- inputs: sku_abc_xyz, backorder_facts, product_facts, uploaded_months.
select
    c.sku,
    p.description,
    p.category,
    p.supplier,
    c.abc_class,
    c.xyz_class,
    c.abc_xyz_class,
    c.shipped_units_12m,
    c.unit_cost,
    c.value_12m,
    c.value_share_before,
    c.mean_monthly_demand,
    c.sigma_monthly_demand,
    c.demand_cv,
    c.daily_demand,
    case when has_backorder_uploads($month) then coalesce(b.backorder_units, 0) end as backorder_units
from sku_abc_xyz($month, $abc_a, $abc_b) as c
left join backorder_facts as b on b.report_month = $month and b.sku = c.sku
left join product_facts as p on p.sku = c.sku
where ($classes::varchar[] is null or list_contains($classes::varchar[], c.abc_xyz_class))
  and filter_keeps($categories::varchar[], p.category, 'category')
  and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
order by c.value_12m desc nulls last, c.sku
