-- SKUs known to the store outside the dataset being uploaded, for the upload report.
-- grain: sku. parameters: $dataset (the dataset being uploaded). inputs: orders, stock, products.
select sku from orders where $dataset <> 'orders'
union
select sku from stock where $dataset <> 'stock'
union
select sku from products where $dataset <> 'products'
