-- forecast_accuracy: accuracy as reported at M of the demand forecast made with the data up to
-- M-1 for M (sku_forecast, smoothing $forecast_alpha) against M's actual net ordered units:
-- WAPE = sum |actual - forecast| / sum actual, bias = sum (forecast - actual) / sum actual
-- (above 0: forecast too high), both null when sum actual = 0, when M has no orders upload, or
-- when no month before M has one (no forecast). Overall ('all') and per ABC class of M
-- (sku_abc_xyz, shares $abc_a and $abc_b); every group is listed. A category or supplier filter
-- keeps its SKUs; the customer and location filters do not apply (demand is per SKU).
-- grain: 4 rows (abc_group: all, A, B, C). parameters: $month, $forecast_alpha, $abc_a, $abc_b,
-- $categories, $suppliers. inputs: sku_forecast, sku_abc (sku_abc_xyz's ABC class), product_facts.
with
forecasts as (
    select f.*, coalesce(c.abc_class, 'C') as abc_class
    from sku_forecast($month, $forecast_alpha, $categories::varchar[], $suppliers::varchar[]) as f
    left join sku_abc($month, $abc_a, $abc_b) as c using (sku)
    left join product_facts as p using (sku)
    where f.actual_units is not null
      and filter_keeps($categories::varchar[], p.category, 'category')
      and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
),
grouped as (
    select
        coalesce(abc_class, 'all') as abc_group,
        count(*) filter (where forecast_units <> 0 or actual_units <> 0) as count_skus,
        sum(actual_units) as actual_units,
        sum(forecast_units) as forecast_units,
        sum(abs(actual_units - forecast_units)) as abs_error_units
    from forecasts
    group by rollup (abc_class)
),
groups as (
    select * from (values ('all', 0), ('A', 1), ('B', 2), ('C', 3)) as g(abc_group, position)
)
select
    g.abc_group,
    coalesce(r.count_skus, 0) as count_skus,
    r.actual_units,
    r.forecast_units,
    r.abs_error_units,
    r.abs_error_units / nullif(r.actual_units, 0) as forecast_wape,
    (r.forecast_units - r.actual_units) / nullif(r.actual_units, 0) as forecast_bias,
    (select any_value(forecast_method) from forecasts) as forecast_method
from groups as g
left join grouped as r using (abc_group)
order by g.position
