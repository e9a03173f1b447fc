-- abc_xyz_matrix: the 3 x 3 ABC-XYZ matrix as reported at M (sku_abc_xyz: ABC by 12-month shipped
-- value at cost, shares $abc_a and $abc_b; XYZ by the coefficient of variation of monthly demand):
-- per cell the SKUs, their 12-month value (unknown costs add 0) and their backorder units at
-- t = E(M) (backorder_facts; null when M lacks its orders or stock upload). Every cell is listed,
-- empty ones with 0. A category or supplier filter keeps its SKUs (classes stay the whole
-- assortment's); stock is not per customer, and a location does not change a SKU's class: the
-- customer and location filters do not apply.
-- grain: 9 rows (abc_class x xyz_class). parameters: $month, $abc_a, $abc_b, $categories, $suppliers.
-- inputs: sku_abc_xyz, backorder_facts, product_facts, uploaded_months.
with
classes as (
    select c.*
    from sku_abc_xyz($month, $abc_a, $abc_b) as c
    left join product_facts as p using (sku)
    where filter_keeps($categories::varchar[], p.category, 'category')
      and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
),
backorders as (
    select sku, backorder_units from backorder_facts where report_month = $month
),
cells as (
    select a.abc_class, x.xyz_class
    from (values ('A'), ('B'), ('C')) as a(abc_class)
    cross join (values ('X'), ('Y'), ('Z')) as x(xyz_class)
),
per_cell as (
    select
        c.abc_class,
        c.xyz_class,
        count(*) as count_skus,
        sum(coalesce(c.value_12m, 0)) as value_12m,
        sum(coalesce(b.backorder_units, 0)) as backorder_units
    from classes as c
    left join backorders as b using (sku)
    group by c.abc_class, c.xyz_class
)
select
    cells.abc_class,
    cells.xyz_class,
    cells.abc_class || cells.xyz_class as abc_xyz_class,
    coalesce(p.count_skus, 0) as count_skus,
    coalesce(p.value_12m, 0) as value_12m,
    case when has_backorder_uploads($month) then coalesce(p.backorder_units, 0) end as backorder_units
from cells
left join per_cell as p using (abc_class, xyz_class)
order by cells.abc_class, cells.xyz_class
