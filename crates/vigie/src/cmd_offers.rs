//! `vigie offers`: the SecNumCloud-qualified offers SOV-01 matches Terraform providers against,
//! with the source and date of the list.

pub fn run() -> Result<String, String> {
    vigie_terraform::offers_text()
}
