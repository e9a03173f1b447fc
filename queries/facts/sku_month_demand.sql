-- sku_month_demand: per SKU, the net ordered units (qty_ordered - qty_cancelled) of the lines
-- ordered in $month, as reported at $month (line_facts of $month, built just before): what
-- sku_monthly_demand reads, so that a 12- or 24-month demand series reads 12 or 24 small months.
-- grain: one row per SKU with lines ordered in the month. parameters: $month, $month_start,
-- $as_of. inputs: line_facts.
insert into sku_month_demand
select report_month, sku, sum(qty_ordered - qty_cancelled) as net_ordered
from line_facts
where report_month = $month
  and order_date >= $month_start and order_date <= $as_of
group by report_month, sku
