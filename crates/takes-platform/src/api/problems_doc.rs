//! Makes the document say what the server really does on errors, for every
//! operation at once (schemathesis found both gaps):
//!
//! - every error answer is `application/problem+json` (the handlers'
//!   `body = Problem` would otherwise be documented as `application/json`);
//! - the failures the extractors produce before a handler runs are listed:
//!   400 and 422 (a malformed or invalid parameter or body) wherever there
//!   is input, and 413 and 415 (too large, wrong content type) wherever
//!   there is a request body.

use takes_api::PROBLEM_JSON;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

pub fn document_problems(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let path_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            errors_are_problems(op);
            let has_params = path_params || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let has_body = op.request_body.is_some();
            if has_params || has_body {
                add_problem(
                    op,
                    "400",
                    "The request is malformed (the detail names the part)",
                );
                add_problem(
                    op,
                    "422",
                    "A parameter or the body is not valid (the detail names the field)",
                );
            }
            if has_body {
                add_problem(op, "413", "The body is larger than the limit");
                add_problem(op, "415", "The body's Content-Type is not the one expected");
            }
        }
    }
}

fn errors_are_problems(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        if let Some(content) = response.content.shift_remove("application/json") {
            response.content.insert(PROBLEM_JSON.to_string(), content);
        }
    }
}

fn add_problem(op: &mut Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    let problem = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, problem)
        .build();
    op.responses
        .responses
        .insert(status.to_string(), RefOr::T(response));
}
