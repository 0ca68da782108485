//! The pure path, without network or runtime: parse an API Gateway v2 event, validate it into a
//! query, and reshape a 100-reference SDK answer into the envelope JSON.
//!
//! `cargo bench --bench pure_path`

use std::hint::black_box;

use aws_sdk_connect::types::{AttachmentReference, ReferenceStatus, ReferenceSummary, UrlReference};
use connect_references::domain::reference::{group_by_requested_type, Reference, ReferencePage};
use connect_references::inbound::envelope;
use connect_references::inbound::http::parse_request;
use criterion::{criterion_group, criterion_main, Criterion};

const EVENT: &str = include_str!("../events/http-api-v2.json");

fn summaries() -> Vec<ReferenceSummary> {
    (0..100)
        .map(|i| {
            if i % 2 == 0 {
                ReferenceSummary::Url(
                    UrlReference::builder()
                        .name(format!("link{i}"))
                        .value(format!("https://crm.example.com/case/{i}"))
                        .build(),
                )
            } else {
                ReferenceSummary::Attachment(
                    AttachmentReference::builder()
                        .name(format!("file{i}.pdf"))
                        .value(format!("https://files.example.com/{i}.pdf"))
                        .status(ReferenceStatus::Approved)
                        .arn(format!("arn:aws:connect:us-east-1:123456789012:instance/i/file/{i}"))
                        .build(),
                )
            }
        })
        .collect()
}

fn pure_path(c: &mut Criterion) {
    c.bench_function("parse an API Gateway v2 event and validate it", |b| {
        b.iter(|| {
            let request = lambda_http::request::from_str(black_box(EVENT)).unwrap();
            black_box(parse_request(&request).unwrap())
        })
    });
    let payload: lambda_http::request::LambdaRequest = serde_json::from_str(EVENT).unwrap();
    c.bench_function("the guard's conversion probe", |b| {
        b.iter(|| black_box(connect_references::inbound::request_guard::converts(black_box(&payload))))
    });
    let request = lambda_http::request::from_str(EVENT).unwrap();
    let query = parse_request(&request).unwrap();
    c.bench_function("reshape 100 SDK references into the envelope", |b| {
        b.iter_batched(
            summaries,
            |summaries| {
                let mut references: Vec<Reference> = summaries.into_iter().map(Reference::from).collect();
                group_by_requested_type(&mut references, &query.reference_types);
                let page = ReferencePage { references, next_token: None, initial_contact_id: None };
                black_box(envelope::success(&query, &page))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    c.bench_function("the whole pure path", |b| {
        b.iter_batched(
            summaries,
            |summaries| {
                let request = lambda_http::request::from_str(EVENT).unwrap();
                let query = parse_request(&request).unwrap();
                let mut references: Vec<Reference> = summaries.into_iter().map(Reference::from).collect();
                group_by_requested_type(&mut references, &query.reference_types);
                let page = ReferencePage { references, next_token: None, initial_contact_id: None };
                black_box(envelope::success(&query, &page))
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, pure_path);
criterion_main!(benches);
