// The rule pack and report templates are embedded with include_dir!/include_str!; rebuild
// when they change.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=report-templates");
    println!("cargo:rerun-if-changed=platforms");
}
