//! The smallest useful `lambda_http` function: what any Rust HTTP Lambda costs before it does anything.

use lambda_http::{run, service_fn, Body, Error, Request, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(|_request: Request| async {
        Ok::<_, Error>(
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from(r#"{"success":true}"#))?,
        )
    }))
    .await
}
