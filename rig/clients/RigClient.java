// A tiny Kafka client for kraftcheck's client-audit test (issue 5). It is compiled against
// kafka-clients 0.11.0.3 and runs unchanged on 0.11.0.3, 2.0.1 and 4.x: only APIs every one of
// them has, and KafkaConsumer.poll through reflection (poll(long) is gone in 4.0,
// poll(Duration) is missing before 2.0).
//
//   java -cp <kafka-clients jars>:<classes> RigClient create BOOTSTRAP CONFIG TOPIC...
//   java -cp <kafka-clients jars>:<classes> RigClient BOOTSTRAP CONFIG TOPIC GROUP CLIENT_ID RECORDS HOLD_SECONDS
//
// `create` creates the topics (1 partition each) if missing (run it with a current client: the
// 0.11 AdminClient waits forever on a SASL listener of a 3.9 broker). The other form produces
// RECORDS records to TOPIC, consumes them in GROUP and commits, prints "READY <client-id>", keeps
// the producer and consumer connected for HOLD_SECONDS (so that the brokers' per-connection
// gauges can be scraped), and exits 0.
import java.io.FileInputStream;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class RigClient {
  static Properties base(String bootstrap, String config, String clientId) throws Exception {
    Properties base = new Properties();
    if (!config.isEmpty() && !config.equals("-")) {
      try (FileInputStream in = new FileInputStream(config)) { base.load(in); }
    }
    base.put("bootstrap.servers", bootstrap);
    base.put("client.id", clientId);
    return base;
  }

  public static void main(String[] a) throws Exception {
    if (a[0].equals("create")) {
      AdminClient admin = AdminClient.create(base(a[1], a[2], "rig-client-admin"));
      try {
        for (int i = 3; i < a.length; i++) {
          try {
            admin.createTopics(Collections.singleton(new NewTopic(a[i], 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            if (!String.valueOf(e.getMessage()).contains("already exists")) throw e;
          }
        }
      } finally {
        admin.close();
      }
      return;
    }
    String bootstrap = a[0], config = a[1], topic = a[2], group = a[3], clientId = a[4];
    int records = Integer.parseInt(a[5]);
    long holdMs = Long.parseLong(a[6]) * 1000L;
    Properties base = base(bootstrap, config, clientId);

    Properties pp = new Properties();
    pp.putAll(base);
    pp.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    pp.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    pp.put("acks", "all");
    KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
    for (int i = 0; i < records; i++) {
      producer.send(new ProducerRecord<>(topic, "k" + i, clientId + "-" + i)).get();
    }

    Properties cp = new Properties();
    cp.putAll(base);
    cp.put("group.id", group);
    cp.put("auto.offset.reset", "earliest");
    cp.put("enable.auto.commit", "false");
    cp.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    cp.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp);
    consumer.subscribe(Collections.singletonList(topic));
    int seen = 0;
    long deadline = System.currentTimeMillis() + 60000;
    while (seen < records && System.currentTimeMillis() < deadline) {
      seen += poll(consumer, 500).count();
    }
    if (seen < records) throw new IllegalStateException(clientId + ": consumed " + seen + " of " + records);
    consumer.commitSync();
    System.out.println("READY " + clientId);
    System.out.flush();
    long end = System.currentTimeMillis() + holdMs;
    while (System.currentTimeMillis() < end) {
      poll(consumer, 500); // keeps the group membership and both connections alive
    }
    consumer.close();
    producer.close();
  }

  @SuppressWarnings("unchecked")
  static ConsumerRecords<String, String> poll(KafkaConsumer<String, String> c, long ms) throws Exception {
    try {
      Class<?> d = Class.forName("java.time.Duration");
      Method ofMillis = d.getMethod("ofMillis", long.class);
      Method m = KafkaConsumer.class.getMethod("poll", d);
      return (ConsumerRecords<String, String>) m.invoke(c, ofMillis.invoke(null, ms));
    } catch (NoSuchMethodException e) {
      Method m = KafkaConsumer.class.getMethod("poll", long.class);
      return (ConsumerRecords<String, String>) m.invoke(c, ms);
    }
  }
}
