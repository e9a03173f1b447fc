-- forecast_by_sku: per SKU, the demand forecast for M made with the data up to M-1 (sku_forecast,
-- smoothing $forecast_alpha; method 'seasonal' or 'smoothing') next to M's actual net ordered
-- units as reported at M (null without M's orders upload), the error, and the SKU's ABC-XYZ class
-- (shares $abc_a and $abc_b). Largest absolute error first. A category or supplier filter keeps
-- its SKUs; the customer and location filters do not apply.
-- grain: one row per SKU with a forecast or an actual other than 0. parameters: $month,
-- $forecast_alpha, $abc_a, $abc_b, $categories, $suppliers. inputs: sku_forecast, sku_abc_xyz,
-- product_facts.
select
    f.sku,
    p.description,
    p.category,
    p.supplier,
    c.abc_class,
    c.xyz_class,
    f.forecast_method,
    f.forecast_units,
    f.actual_units,
    f.forecast_units - f.actual_units as error_units
from sku_forecast($month, $forecast_alpha, $categories::varchar[], $suppliers::varchar[]) as f
left join sku_abc_xyz($month, $abc_a, $abc_b) as c using (sku)
left join product_facts as p using (sku)
where (f.forecast_units <> 0 or coalesce(f.actual_units, 0) <> 0)
  and filter_keeps($categories::varchar[], p.category, 'category')
  and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
order by abs(coalesce(f.actual_units, 0) - f.forecast_units) desc, f.sku
