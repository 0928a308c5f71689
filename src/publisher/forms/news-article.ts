import { commonFields, exactRoute, type SchemaForm } from './schema-form.ts';

/** A news article: a lead paragraph (its summary), a body and an optional image. */
export const newsArticleForm: SchemaForm = {
  schema_name: 'news_article',
  label: 'News article',
  document_types: ['press_release', 'news_story', 'government_response', 'world_news_story'],
  partial: 'fields/news-article.njk',
  descriptionLabel: 'Lead paragraph',
  fields: (v) => [
    ...commonFields(v, 'Lead paragraph'),
    { id: 'body', label: 'Body', value: v.body },
    { id: 'image_url', label: 'Image URL', value: v.image_url },
    { id: 'image_alt', label: 'Image alt text', value: v.image_alt },
  ],
  details(v, saved) {
    const { image: savedImage, ...rest } = saved;
    const details: Record<string, unknown> = { ...rest, body: v.body };
    // No image is both fields empty; either one filled in asks for an image, and the API says what is missing.
    if (v.image_url || v.image_alt) details.image = { ...(savedImage as object | undefined), url: v.image_url, alt_text: v.image_alt };
    return { details };
  },
  routes: exactRoute,
  detailsField(key) {
    if (key === 'details.body' || key.startsWith('details.body[')) return 'body';
    if (key === 'details.image.url') return 'image_url';
    if (key === 'details.image.alt_text') return 'image_alt';
    if (key === 'details.image') return 'image_url';
    return undefined;
  },
};
