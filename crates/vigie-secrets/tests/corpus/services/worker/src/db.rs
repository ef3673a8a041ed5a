use sqlx::postgres::PgPoolOptions;

pub async fn pool() -> sqlx::Result<sqlx::PgPool> {
    let url = "postgres://svc_worker:Y9x1DwQcxeVTeS@db.prod.vigie.test/orders";
    PgPoolOptions::new().max_connections(5).connect(url).await
}
