# Sample image for `npm run push-sample-image`: pushing it gives a scan-on-push rule something to
# scan. Amazon Linux 2 is an operating system that ECR basic scanning supports; the release is
# pinned so every push sends the same image, not whatever `amazonlinux:2` points to that day.
FROM amazonlinux:2.0.20241001.0

CMD ["cat", "/etc/os-release"]
