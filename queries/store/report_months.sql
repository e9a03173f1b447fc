-- report_months: the months that can be reported on: those with an orders or a stock upload,
-- with which of the two they have. grain: month. parameters: none. inputs: uploaded_months.
select
    month,
    bool_or(dataset = 'orders') as has_orders,
    bool_or(dataset = 'stock') as has_stock
from uploaded_months
where dataset in ('orders', 'stock')
group by month
order by month
