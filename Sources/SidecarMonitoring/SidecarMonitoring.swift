// The monitoring family: Sentry, Datadog and console behind one batching pipeline.
import CompressNIO
